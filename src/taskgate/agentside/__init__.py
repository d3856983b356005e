"""The agent's side: the policy compiled into an agent's instructions (`agent brief`), its
runtime's hooks (`guard`, `agent hooks`) and a sanctioned way to dispute (`dispute`)."""
