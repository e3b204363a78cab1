"""Static-site generators: detection, posts and their front matter, links."""
