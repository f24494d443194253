resource "kasm_image" "web" {
  name          = "Web Browser"
  image_src     = "kasmweb/chrome:1.18.0"
  friendly_name = "Chrome"
  memory        = 2768000000
  memroy        = 5
  image_type    = "container"
}
resource "kasm_image" "ok" {
  name          = "kasmweb/terminal:1.18.0"
  image_src     = "img/thumbnails/terminal.png"
  friendly_name = "Terminal"
}
resource "kasm_user" "dev" {
  username = "Developer"
}
resource "kasm_session" "dev" {
  user_id  = kasm_user.dev.id
  image_id = kasm_image.ok.id
}
