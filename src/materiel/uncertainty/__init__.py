"""Uncertainty (design §6): sample every figure given with a range, plan and assess each draw
(re-solving one built model in place), and summarise the odds and what drives them."""
