"""Thin views, one module per phase (meetings/urls.py names them): plan, study, opinions, forums, talks,
self_reviews, record; `common` holds their helpers. Pages spanning the phases are lifecycle's."""
