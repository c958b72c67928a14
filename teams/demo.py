"""Demo volunteers, teams and points for a station (called by the seed_demo command).

Shaped on the field reports: volunteers from every background (residents, compound security
guards, delivery riders, retirees, …), 100% background-reviewed before approval, in every state of
screening; teams of every type; six months of points for patrol hours, hazards, clues, cases
assisted, disputes settled and publicity events, and a few redemptions. Deterministic (a seeded
random generator) and idempotent (natural keys: phone numbers, team names, idempotency keys).
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.utils import timezone
from django_scopes import scopes_disabled

from jointdefense.tenancy.models import Community

from .models import (
    AVAILABILITY_SLOTS,
    BackgroundGroup,
    BackgroundReview,
    PointEntry,
    Redemption,
    Reward,
    ScreeningEvent,
    Team,
    Volunteer,
)
from .selectors.points import balance
from .services.points import points_award
from .services.rewards import redemption_approve, redemption_request
from .services.screening import (
    background_review_record,
    volunteer_activate,
    volunteer_approve,
    volunteer_reject,
    volunteer_retire,
    volunteer_start_review,
    volunteer_suspend,
)
from .services.teams import team_member_add, team_save
from .services.volunteers import station_defaults_ensure, volunteer_apply, volunteer_classify
from .validators import resident_id_checksum

User = get_user_model()

SURNAMES = [
    ("王", "Wang"),
    ("李", "Li"),
    ("张", "Zhang"),
    ("刘", "Liu"),
    ("陈", "Chen"),
    ("杨", "Yang"),
    ("赵", "Zhao"),
    ("黄", "Huang"),
    ("周", "Zhou"),
    ("吴", "Wu"),
    ("徐", "Xu"),
    ("孙", "Sun"),
    ("胡", "Hu"),
    ("朱", "Zhu"),
    ("高", "Gao"),
    ("林", "Lin"),
    ("何", "He"),
    ("郭", "Guo"),
    ("马", "Ma"),
    ("罗", "Luo"),
    ("梁", "Liang"),
    ("宋", "Song"),
    ("郑", "Zheng"),
    ("谢", "Xie"),
]
GIVEN = [
    ("秀英", "Xiuying"),
    ("建华", "Jianhua"),
    ("桂兰", "Guilan"),
    ("磊", "Lei"),
    ("浩", "Hao"),
    ("敏", "Min"),
    ("军", "Jun"),
    ("洁", "Jie"),
    ("峰", "Feng"),
    ("静", "Jing"),
    ("勇", "Yong"),
    ("刚", "Gang"),
    ("婷", "Ting"),
    ("平", "Ping"),
    ("凯", "Kai"),
    ("秀兰", "Xiulan"),
    ("冬", "Dong"),
    ("宇", "Yu"),
    ("春梅", "Chunmei"),
    ("洋", "Yang"),
    ("鹏", "Peng"),
    ("红", "Hong"),
    ("亮", "Liang"),
    ("淑珍", "Shuzhen"),
    ("国强", "Guoqiang"),
    ("玉兰", "Yulan"),
    ("志明", "Zhiming"),
    ("丽娟", "Lijuan"),
]

# background group slug: share of volunteers, typical roles, typical availability
BACKGROUNDS = {
    "residents": (30, ["patrol", "publicity"], ["sat_morning", "sun_morning", "wed_evening", "fri_evening"]),
    "retirees": (
        18,
        ["patrol", "mediation", "publicity"],
        ["mon_morning", "tue_morning", "wed_morning", "thu_morning", "fri_morning", "mon_afternoon"],
    ),
    "security-guards": (
        14,
        ["patrol", "info_collection"],
        ["mon_night", "tue_night", "wed_night", "thu_night"],
    ),
    "delivery-riders": (
        12,
        ["info_collection", "patrol"],
        ["mon_afternoon", "tue_evening", "sat_evening", "sun_evening"],
    ),
    "property-owners": (5, ["mediation", "publicity"], ["sat_afternoon", "sun_afternoon"]),
    "grid-workers": (
        5,
        ["grid", "info_collection"],
        ["mon_morning", "tue_morning", "wed_afternoon", "thu_afternoon"],
    ),
    "students": (5, ["publicity"], ["sat_morning", "sat_afternoon", "sun_afternoon"]),
    "taxi-drivers": (3, ["info_collection"], ["fri_night", "sat_night"]),
    "sanitation-workers": (4, ["info_collection", "patrol"], ["mon_morning", "wed_morning", "fri_morning"]),
    "enterprise-staff": (3, ["publicity", "patrol"], ["tue_evening", "thu_evening"]),
    "parking-attendants": (1, ["info_collection"], ["sat_afternoon", "sun_afternoon"]),
}

STATUS_SHARE = [
    ("active", 78),
    ("applied", 5),
    ("under_review", 4),
    ("approved", 3),
    ("rejected", 3),
    ("suspended", 3),
    ("retired", 4),
]

TEAMS_HUAYUAN = [
    # name, Chinese, type, community slug or None, member count, backgrounds to draw from
    (
        "Huayuan Road Patrol Brigade",
        "花园路巡防大队",
        Team.Type.PATROL_BRIGADE,
        None,
        14,
        ["security-guards", "residents"],
    ),
    (
        "Huayuan Community Patrol",
        "花园社区义务巡逻队",
        Team.Type.COMMUNITY_PATROL,
        "huayuan",
        12,
        ["residents", "retirees"],
    ),
    (
        "Weiwu Road Community Patrol",
        "纬五路社区义务巡逻队",
        Team.Type.COMMUNITY_PATROL,
        "weiwu",
        10,
        ["residents", "retirees"],
    ),
    (
        "Jingqi Road Community Patrol",
        "经七路社区义务巡逻队",
        Team.Type.COMMUNITY_PATROL,
        "jingqi",
        10,
        ["residents", "retirees", "enterprise-staff"],
    ),
    (
        "Nongke Road Community Patrol",
        "农科路社区义务巡逻队",
        Team.Type.COMMUNITY_PATROL,
        "nongke",
        9,
        ["residents", "retirees"],
    ),
    (
        "Guomao Community Patrol",
        "国贸社区义务巡逻队",
        Team.Type.COMMUNITY_PATROL,
        "guomao",
        8,
        ["residents", "students"],
    ),
    (
        "Guomao Center Compound Security",
        "国贸中心保安队",
        Team.Type.COMPOUND_SECURITY,
        "guomao",
        10,
        ["security-guards"],
    ),
    ("Rider Safety Team", "外卖骑手平安队", Team.Type.RIDERS, None, 12, ["delivery-riders", "taxi-drivers"]),
    (
        "Neighbourhood Mediation Group",
        "邻里矛盾纠纷调解组",
        Team.Type.MEDIATION,
        None,
        7,
        ["retirees", "property-owners"],
    ),
    (
        "Safety Publicity Group",
        "平安宣传队",
        Team.Type.PUBLICITY,
        None,
        9,
        ["students", "residents", "retirees"],
    ),
    (
        "Sanitation Watch",
        "环卫信息员小组",
        Team.Type.OTHER,
        None,
        6,
        ["sanitation-workers", "parking-attendants"],
    ),
]

TEAMS_DONGFENG = [
    (
        "Dongfeng Road Patrol Brigade",
        "东风路巡防大队",
        Team.Type.PATROL_BRIGADE,
        None,
        6,
        ["security-guards"],
    ),
    (
        "Dongfeng Community Patrol",
        "东风社区义务巡逻队",
        Team.Type.COMMUNITY_PATROL,
        "dongfeng",
        6,
        ["residents", "retirees"],
    ),
    (
        "Wenhua Road Community Patrol",
        "文化路社区义务巡逻队",
        Team.Type.COMMUNITY_PATROL,
        "wenhua",
        5,
        ["residents", "retirees"],
    ),
    ("Dongfeng Rider Team", "东风路骑手平安队", Team.Type.RIDERS, None, 4, ["delivery-riders"]),
]
TEAMS = {"huayuan-road": TEAMS_HUAYUAN, "dongfeng-road": TEAMS_DONGFENG}

REWARDS = [
    ("item", "Thermos flask", "保温杯", 200, 40, None),
    ("item", "Raincoat for patrol", "巡逻雨衣", 300, 25, None),
    ("item", "Rechargeable torch", "充电手电筒", 250, 30, None),
    ("item", "Supermarket voucher (50 yuan)", "超市购物券（50元）", 500, 20, None),
    ("title", "Safety Guardian", "平安守护者", None, None, 300),
    ("title", "Star Volunteer", "星级志愿者", None, None, 800),
    ("title", "Model Joint-Defense Volunteer", "群防群治标兵", None, None, 1500),
]


def _name(rng):
    (s_zh, s_py), (g_zh, g_py) = rng.choice(SURNAMES), rng.choice(GIVEN)
    return f"{s_zh}{g_zh} {s_py} {g_py}"


def _id_number(rng, n):
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 55))
    first17 = f"410105{birth:%Y%m%d}{n % 1000:03d}"
    return first17 + resident_id_checksum(first17)


def _weighted(rng, pairs):
    total = sum(w for _k, w in pairs)
    x = rng.uniform(0, total)
    for key, weight in pairs:
        x -= weight
        if x <= 0:
            return key
    return pairs[-1][0]


def seed_station(*, station, officer, chief, volunteers: int, named_users=(), now=None):
    """Volunteers, teams, rewards and points for ``station`` (inside its scope).

    ``named_users`` [(user, roles)] become active volunteers first (the demo logins)."""
    now = now or timezone.now()
    rng = random.Random(f"volunteers:{station.slug}")
    communities = list(Community.objects.filter(tenant=station).order_by("slug"))
    groups = {g.slug: g for g in BackgroundGroup.objects.filter(tenant=station)}
    group_weights = [(slug, share) for slug, (share, _r, _a) in BACKGROUNDS.items() if slug in groups]

    people = []
    for i in range(volunteers):
        background = _weighted(rng, group_weights)
        k = i - len(named_users)
        if k < 0:
            status = "active"  # the demo logins
        elif k < len(STATUS_SHARE):
            status = STATUS_SHARE[k][0]  # every state of screening is shown
        else:
            status = _weighted(rng, STATUS_SHARE)
        people.append((i, background, status))

    created = []
    waiting = 0
    for i, background, status in people:
        phone = f"1378{station.pk % 100:02d}{i:05d}"
        volunteer = Volunteer.objects.filter(tenant=station, phone=phone).first()
        if volunteer is None:
            if i < len(named_users):
                user, full_name = named_users[i][0], named_users[i][0].full_name
            else:
                full_name = _name(rng)
                user, new = User.objects.get_or_create(
                    username=f"v{phone}", defaults={"full_name": full_name}
                )
                if new:
                    user.set_unusable_password()
                    user.save(update_fields=["password"])
            _share, roles, availability = BACKGROUNDS[background]
            applied_at = now - datetime.timedelta(days=rng.randrange(20, 400))
            if status in ("applied", "under_review"):  # people still waiting applied lately
                applied_at = _recent_application(now, station, waiting, rng)
                waiting += 1
            volunteer = volunteer_apply(
                tenant=station,
                user=user,
                full_name=full_name,
                phone=phone,
                id_number=_id_number(rng, i),
                home_community=rng.choice(communities),
                background_group=groups[background],
                specialties=rng.sample(
                    ["first_aid", "fire_safety", "mediation", "driving", "it", "photography"],
                    k=rng.randrange(0, 3),
                ),
                availability=sorted(set(availability) & set(AVAILABILITY_SLOTS)),
                emergency_contact_name=_name(rng),
                emergency_contact_phone=f"1390000{i:04d}",
                consent=True,
            )
            Volunteer.objects.filter(pk=volunteer.pk).update(
                applied_at=applied_at, consented_to_review_at=applied_at
            )
            volunteer_classify(
                volunteer=volunteer,
                actor=officer,
                roles=rng.sample(roles, k=max(1, min(len(roles), rng.randrange(1, 3)))),
            )
            _screen(volunteer, status, officer, rng, applied_at)
            _backdate_trail(volunteer, applied_at, rng)
            volunteer.refresh_from_db()
        created.append(volunteer)

    _seed_teams(station, created, officer, rng, communities, groups, TEAMS.get(station.slug, TEAMS_DONGFENG))
    _seed_rewards(station)
    _seed_points(station, created, officer, chief, rng, now)
    return created


def _recent_application(now, station, k, rng):
    """When a person still being screened applied: today, last week and last month come first (so
    the dashboard's new applications count something in each), then the last six weeks."""
    today = timezone.localtime(now, station.zoneinfo)
    month_before = today.replace(day=1) - datetime.timedelta(days=1)  # the last day of last month
    anchors = [
        now - datetime.timedelta(minutes=20),
        today - datetime.timedelta(days=7),
        month_before,
        month_before - datetime.timedelta(days=10),
    ]
    if k < len(anchors):
        return min(anchors[k], now - datetime.timedelta(minutes=20))
    return now - datetime.timedelta(days=rng.uniform(0, 42))


def _screen(volunteer, status, officer, rng, applied_at):
    if status == "applied":
        return
    volunteer_start_review(volunteer=volunteer, actor=officer)
    if status == "under_review":
        return
    passed = status != "rejected"
    background_review_record(
        volunteer=volunteer,
        actor=officer,
        result="passed" if passed else "failed",
        reviewed_on=(applied_at + datetime.timedelta(days=rng.randrange(2, 10))).date(),
        notes="Checked with the household registration and the criminal record system."
        if passed
        else "Record of a fraud conviction in 2021.",
    )
    if not passed:
        volunteer_reject(
            volunteer=volunteer, actor=officer, reason="The background review found a disqualifying record."
        )
        return
    volunteer_approve(volunteer=volunteer, actor=officer)
    if status == "approved":
        return
    volunteer_activate(volunteer=volunteer, actor=officer)
    Volunteer.objects.filter(pk=volunteer.pk).update(
        activated_at=applied_at + datetime.timedelta(days=rng.randrange(10, 20))
    )
    if status == "suspended":
        volunteer_suspend(volunteer=volunteer, actor=officer, reason="Missed three shifts without notice.")
    elif status == "retired":
        volunteer_retire(volunteer=volunteer, actor=officer, note="Moved to another district.")


def _backdate_trail(volunteer, applied_at, rng):
    """Spread the screening trail over the weeks after the application, as it happened."""
    when = applied_at
    trail = ScreeningEvent.objects.filter(tenant=volunteer.tenant_id, volunteer=volunteer).order_by("pk")
    now = timezone.now()
    for event in trail:
        ScreeningEvent.objects.filter(pk=event.pk).update(created_at=min(when, now))
        when += datetime.timedelta(days=rng.randrange(1, 5), hours=rng.randrange(0, 9))
    when = min(when, now)
    BackgroundReview.objects.filter(tenant=volunteer.tenant_id, volunteer=volunteer).update(recorded_at=when)


def _seed_teams(station, volunteers, officer, rng, communities, groups, teams):
    by_slug = {c.slug: c for c in communities}
    active = [v for v in volunteers if v.status == "active"]
    for name, name_zh, team_type, community_slug, size, backgrounds in teams:
        team = Team.objects.filter(tenant=station, name=name).first()
        if team is not None:
            continue
        team = team_save(
            team=Team(
                tenant=station,
                name=name,
                type=team_type,
                home_community=by_slug.get(community_slug),
                description=name_zh,
            ),
            actor=officer,
        )
        wanted = {groups[b].pk for b in backgrounds if b in groups}
        pool = [v for v in active if v.background_group_id in wanted] or active
        members = rng.sample(pool, k=min(size, len(pool)))
        for n, volunteer in enumerate(members):
            team_member_add(team=team, volunteer=volunteer, actor=officer, is_leader=(n == 0))


def _seed_rewards(station):
    for kind, name, _zh, cost, stock, threshold in REWARDS:
        Reward.objects.get_or_create(
            tenant=station,
            name=name,
            defaults={
                "kind": kind,
                "description": _zh,
                "cost_points": cost,
                "stock": stock,
                "threshold_points": threshold,
            },
        )


def _seed_points(station, volunteers, officer, chief, rng, now):
    """Six months of contributions: weekly patrol hours, and now and then hazards, clues, cases
    assisted, disputes settled, publicity events. Keys name the source, so a rerun adds nothing."""
    kinds = [
        ("hazard_reported", 0.25),
        ("valuable_clue", 0.06),
        ("case_assisted", 0.03),
        ("dispute_settled", 0.08),
        ("publicity_event", 0.2),
        ("information_collected", 0.3),
    ]
    done = set(
        PointEntry.objects.filter(tenant=station, idempotency_key__startswith="demo:").values_list(
            "idempotency_key", flat=True
        )
    )

    def award(volunteer, kind, key, **kwargs):
        if key not in done:
            points_award(
                tenant=station, volunteer=volunteer, kind=kind, idempotency_key=key, actor=officer, **kwargs
            )

    for volunteer in volunteers:
        if volunteer.status != "active":
            continue
        vrng = random.Random(f"points:{volunteer.phone}")
        weekly_hours = vrng.choice([0, 2, 2, 3, 4, 4, 6])
        for week in range(26):
            when = now - datetime.timedelta(weeks=week, hours=vrng.randrange(0, 150))
            if weekly_hours and "patrol" in volunteer.roles:
                award(
                    volunteer,
                    "patrol_hour",
                    f"demo:patrol:{volunteer.pk}:{week}",
                    quantity=weekly_hours,
                    reason="Weekly patrol",
                    occurred_at=when,
                )
            for kind, chance in kinds:
                if vrng.random() < chance / 4:
                    award(volunteer, kind, f"demo:{kind}:{volunteer.pk}:{week}", occurred_at=when)
    rewards = list(Reward.objects.filter(tenant=station, kind="item").order_by("cost_points"))
    if not rewards or Redemption.objects.filter(tenant=station).exists():
        return
    rich = sorted((v for v in volunteers if v.status == "active"), key=lambda v: -balance(volunteer=v))[:8]
    for n, volunteer in enumerate(rich):
        affordable = [r for r in rewards if r.cost_points <= balance(volunteer=volunteer)]
        if not affordable:
            continue
        # rewards claimed this week, last week, last month and before, so the dashboard's points
        # redeemed count something in each
        redemption = redemption_request(
            volunteer=volunteer,
            reward=affordable[n % len(affordable)],
            actor=volunteer.user,
            requested_at=_redeemed_at(now, station, n),
        )
        if n % 3 == 0:
            redemption_approve(redemption=redemption, actor=chief)


def _redeemed_at(now, station, n):
    today = timezone.localtime(now, station.zoneinfo)
    month_before = today.replace(day=1) - datetime.timedelta(days=1)
    return [
        now - datetime.timedelta(minutes=30),
        today - datetime.timedelta(days=7),
        month_before,
        now - datetime.timedelta(hours=3),
        today - datetime.timedelta(days=8),
        month_before - datetime.timedelta(days=12),
        now - datetime.timedelta(days=40),
        now - datetime.timedelta(days=70),
    ][n % 8]


def seed_demo_station(ctx) -> None:
    """The teams seeder of ``seed_demo`` (core.registry.DemoSeeder): the station's defaults, its
    volunteers (the demo logins first) and teams; the named team leaders lead their teams. Leaves
    the volunteers in ``ctx.shared["volunteers"]`` for the seeders after it."""
    station_defaults_ensure(tenant=ctx.station)
    wanted = ctx.options["volunteers"]
    if not ctx.main:  # a quarter, but enough for the second station's patrols and rankings
        wanted = max(wanted // 4, min(wanted, 16))
    volunteers = seed_station(
        station=ctx.station,
        officer=ctx.officer,
        chief=ctx.chief,
        volunteers=max(wanted, len(ctx.named_volunteers)),
        named_users=[(user, None) for user, _team in ctx.named_volunteers],
    )
    for (_user, team_name), volunteer in zip(ctx.named_volunteers, volunteers, strict=False):
        team = Team.objects.filter(tenant=ctx.station, name=team_name).first() if team_name else None
        if team is not None:
            team_member_add(team=team, volunteer=volunteer, actor=ctx.officer, is_leader=True)
    ctx.shared["volunteers"] = volunteers


def demo_summary() -> list[tuple[str, int]]:
    with scopes_disabled():
        return [
            ("volunteers", Volunteer.objects.count()),
            ("teams", Team.objects.count()),
            ("point entries", PointEntry.objects.count()),
        ]
