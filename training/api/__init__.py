"""The training API: ``serializers``, ``views`` (viewsets inherit
``jointdefense.tenancy.api.base.StationViewSet``) and one ``urls``."""
