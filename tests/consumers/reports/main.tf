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
