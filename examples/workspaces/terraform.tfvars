default_memory = 4096
