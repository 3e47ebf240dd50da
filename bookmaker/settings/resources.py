"""Where the package's own files are: the themes (``styles/``) and the templates.

The one place these paths are worked out; everything else imports them from here.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
TEMPLATES = PACKAGE / "templates"
# In a checkout the themes are the repository's top-level styles/ folder; an installed wheel
# carries them inside the package.
STYLES = PACKAGE / "styles" if (PACKAGE / "styles").is_dir() else PACKAGE.parent / "styles"
