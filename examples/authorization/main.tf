# Who may launch what. A design team's group, with one member, is authorized for
# every enabled kasmweb image on Kasm, found by a data source; the team's own image
# is launchable by the team only (not by All Users, whom Kasm authorizes for new
# images by default).

data "kasm_images" "kasmweb" {
  name    = "kasmweb/*"
  enabled = true
}

resource "kasm_group" "design" {
  name        = "Design"
  priority    = 40
  description = "The design team"
}

resource "kasm_group_image" "design_kasmweb" {
  for_each = toset(data.kasm_images.kasmweb.images[*].id)

  group_id = kasm_group.design.id
  image_id = each.key
}

resource "kasm_image" "penpot" {
  name                  = "registry.example.com/design/penpot:2.4.0"
  image_src             = "img/thumbnails/penpot.png"
  friendly_name         = "Penpot"
  description           = "Design and prototyping"
  memory                = 4096
  cores                 = 2
  exclusive_group_links = true
}

resource "kasm_group_image" "design_penpot" {
  group_id = kasm_group.design.id
  image_id = kasm_image.penpot.id
}

# A designer, in the design group. Without `password`, Kasm gives the user a random
# one (set it from a sensitive variable to manage it: it is never shown or stored).
resource "kasm_user" "dana" {
  username   = "dana"
  first_name = "Dana"
  last_name  = "Designer"
}

resource "kasm_group_membership" "dana_design" {
  group_id = kasm_group.design.id
  user_id  = kasm_user.dana.id
}
