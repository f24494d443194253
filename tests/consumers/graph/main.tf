resource "kasm_image" "base" {
  name          = "kasmweb/base:1.18.0"
  image_src     = "img/thumbnails/base.png"
  friendly_name = "Base"
}
resource "kasm_image" "app" {
  name          = "kasmweb/app:1.18.0"
  image_src     = "img/thumbnails/app.png"
  friendly_name = "App"
  depends_on    = [kasm_image.base]
}
resource "kasm_group" "devs" {
  name     = "Developers"
  priority = 10
}
resource "kasm_group_image" "base" {
  group_id = kasm_group.devs.id
  image_id = kasm_image.base.id
}
