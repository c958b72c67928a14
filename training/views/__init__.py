"""Pages of the training app (one module per sub-domain); views inherit
``jointdefense.tenancy.views.StationViewMixin``."""
