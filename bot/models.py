"""Tables owned by the channels (webhook inbox, Zalo tokens). Filled in by the channels."""
