"""Route-coverage cases for the web UI's support endpoints (`lsx.web.api.ui_support`)."""

import lsx.web.api.ui_support  # noqa: F401  (declares the routes below)

NO_OBJECT = {
    ("POST", "/api/projects/interface-preview/"): "previews a config that is not saved, no object",
}
