# The image authorization workflow of the Kasm provider's documentation, as it is
# written there, beside one image of our own: a data source reads the images, a group
# is authorized for the first one, a user is made and put in the group, and a session
# of the user on that image is started. Then the images, printed as its examples do.

resource "kasm_image" "gimp" {
  name          = "kasmweb/gimp:1.18.0"
  image_src     = "img/thumbnails/gimp.png"
  friendly_name = "GIMP"
  memory        = 2768
  cores         = 2
}

data "kasm_images" "available" {}

resource "kasm_group" "workspace_users" {
  name        = "WorkspaceUsers"
  priority    = 1
  description = "Users with access to workspace images"
}

resource "kasm_group_image" "workspace_access" {
  group_id = kasm_group.workspace_users.id
  image_id = data.kasm_images.available.images[0].id
}

resource "kasm_user" "developer" {
  username = "developer"
  groups   = []
  lifecycle {
    ignore_changes = [groups]
  }
}

resource "kasm_group_membership" "developer_access" {
  group_id = kasm_group.workspace_users.id
  user_id  = kasm_user.developer.id
}

resource "kasm_session" "developer_workspace" {
  depends_on = [kasm_group_membership.developer_access, kasm_group_image.workspace_access]
  image_id   = data.kasm_images.available.images[0].id
  user_id    = kasm_user.developer.id
}

output "all_images" {
  value = data.kasm_images.available.images
}

output "enabled_image_names" {
  value = [for img in data.kasm_images.available.images : img.name if img.enabled]
}
