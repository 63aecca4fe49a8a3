"""``python -m rpa.sandbox``: seed if empty and serve the back office."""

from rpa.sandbox.app import serve
from tandem.config import get_settings

if __name__ == "__main__":
    serve(get_settings())
