# Conftest style, over the Terraform-shaped plan JSON of kasm_image resources.
package kasm.images

import rego.v1

changes contains rc if {
  some rc in input.resource_changes
  rc.type == "kasm_image"
}

deny contains {"msg": sprintf("%s would be deleted", [rc.address]), "address": rc.address} if {
  some rc in changes
  "delete" in rc.change.actions
}

warn contains {"msg": msg, "address": rc.address, "path": sprintf("%s.cores", [rc.address])} if {
  some rc in changes
  rc.change.after.cores > 4
  msg := sprintf("%s asks for %v cores; most sessions need 4 or fewer", [rc.address, rc.change.after.cores])
}
