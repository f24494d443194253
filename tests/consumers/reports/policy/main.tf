resource "kasm_image" "latest" {
  name          = "kasmweb/terminal:latest"
  friendly_name = "Terminal"
  image_src     = "img/thumbnails/terminal.png"
  memory        = 9000
}
