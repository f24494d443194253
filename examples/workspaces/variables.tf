variable "registry" {
  description = "Where the team's own images live."
  type        = string
  default     = "registry.example.com/kasm"
}

variable "registry_token" {
  description = "A pull token for the registry; give it as TF_VAR_registry_token."
  type        = string
  sensitive   = true
  default     = null
}

variable "browsers" {
  description = "Browser workspaces, by image name, with their memory in MB."
  type = map(object({
    memory = number
    cores  = optional(number, 2)
  }))
  default = {
    chrome  = { memory = 4096 }
    firefox = { memory = 2768, cores = 1 }
  }
}

variable "default_memory" {
  type    = number
  default = 2768
  validation {
    condition     = var.default_memory >= 1024
    error_message = "Workspaces need at least 1024 MB."
  }
}
