"""PLACEHOLDER: being written. Every name teams/urls.py uses from this module is defined below."""

from django.views import View


class _Todo(View):
    pass


LeaderboardView = _Todo


MyVolunteeringView = _Todo


PointRulesView = _Todo


PointsAwardView = _Todo


PointsReverseView = _Todo


RedemptionCancelView = _Todo


RedemptionDecideView = _Todo


RedemptionListView = _Todo


RedemptionRequestView = _Todo


RewardCreateView = _Todo


RewardEditView = _Todo


RewardListView = _Todo
