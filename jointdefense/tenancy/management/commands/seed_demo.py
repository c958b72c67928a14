"""Load the demo station: a city bureau with two police stations; the main one, Huayuan Road, has
five communities with their boundaries split into grid cells, a chief, officers, team leaders,
grid workers and volunteers. Names in English and Simplified Chinese. This is the platform's part;
each domain app registers a seeder for its own rows (core.registry.demo_seeders), run in order for
every station.

Idempotent: running it again leaves the same rows (natural keys: slugs, codes, usernames).
Geometry is deterministic: community and grid-cell boundaries are Voronoi partitions (PostGIS) of
fixed seed points, clipped to the station boundary, so they look like areas drawn along streets.
"""

import datetime
import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from jointdefense.core import outbox, rollups
from jointdefense.core.registry import DemoStation, demo_seeders, kept_counts
from jointdefense.tenancy import services, summaries
from jointdefense.tenancy.models import Community, GridCell, Membership, Role, Tenant

User = get_user_model()

DEMO_SUMMARY_WEEKS = 4  # weekly summaries in each station's archive

BUREAU = {
    "slug": "jinshui-bureau",
    "name_en": "Jinshui District Public Security Bureau",
    "name_zh_hans": "金水公安分局",
}

# Huayuan Road, Jinshui District, Zhengzhou (lon, lat): an irregular outline along main roads.
HUAYUAN_OUTLINE = [
    (113.6552, 34.7712),
    (113.6631, 34.7698),
    (113.6724, 34.7703),
    (113.6818, 34.7689),
    (113.6902, 34.7716),
    (113.6949, 34.7788),
    (113.6938, 34.7869),
    (113.6957, 34.7941),
    (113.6871, 34.7998),
    (113.6760, 34.8012),
    (113.6655, 34.7996),
    (113.6583, 34.7947),
    (113.6541, 34.7863),
    (113.6560, 34.7781),
    (113.6552, 34.7712),
]
DONGFENG_OUTLINE = [
    (113.6960, 34.7720),
    (113.7104, 34.7706),
    (113.7188, 34.7762),
    (113.7172, 34.7889),
    (113.7069, 34.7951),
    (113.6962, 34.7940),
    (113.6944, 34.7850),
    (113.6960, 34.7720),
]

STATIONS = [
    {
        "slug": "huayuan-road",
        "name_en": "Huayuan Road Police Station",
        "name_zh_hans": "花园路派出所",
        "outline": HUAYUAN_OUTLINE,
        "communities": [
            # slug, English, Chinese, households, seed point (lon, lat), grid cells
            ("huayuan", "Huayuan Community", "花园社区", 4260, (113.6640, 34.7760), 6),
            ("weiwu", "Weiwu Road Community", "纬五路社区", 3180, (113.6810, 34.7745), 5),
            ("jingqi", "Jingqi Road Community", "经七路社区", 5120, (113.6880, 34.7880), 7),
            ("nongke", "Nongke Road Community", "农科路社区", 3870, (113.6720, 34.7950), 6),
            ("guomao", "Guomao Community", "国贸社区", 2940, (113.6620, 34.7880), 4),
        ],
    },
    {
        "slug": "dongfeng-road",
        "name_en": "Dongfeng Road Police Station",
        "name_zh_hans": "东风路派出所",
        "outline": DONGFENG_OUTLINE,
        "communities": [
            ("dongfeng", "Dongfeng Community", "东风社区", 3560, (113.7040, 34.7790), 4),
            ("wenhua", "Wenhua Road Community", "文化路社区", 2710, (113.7100, 34.7890), 3),
        ],
    },
]

# username, full name, roles per station slug ("*bureau*" for the bureau)
PEOPLE = [
    ("chief", "王建国 Wang Jianguo", {"huayuan-road": [Role.CHIEF]}),
    ("officer.li", "李明 Li Ming", {"huayuan-road": [Role.OFFICER]}),
    ("officer.zhang", "张伟 Zhang Wei", {"huayuan-road": [Role.OFFICER]}),
    ("officer.sun", "孙丽 Sun Li", {"huayuan-road": [Role.OFFICER], "dongfeng-road": [Role.OFFICER]}),
    ("grid.liu", "刘芳 Liu Fang", {"huayuan-road": [Role.GRID_WORKER]}),
    ("grid.yang", "杨帆 Yang Fan", {"huayuan-road": [Role.GRID_WORKER]}),
    ("chief.dongfeng", "周志华 Zhou Zhihua", {"dongfeng-road": [Role.CHIEF]}),
    ("officer.dongfeng", "吴涛 Wu Tao", {"dongfeng-road": [Role.OFFICER]}),
    ("bureau", "郑国平 Zheng Guoping", {"jinshui-bureau": [Role.BUREAU_VIEWER]}),
]
# volunteers of Huayuan Road with a demo login (screened and active); the leaders lead teams
NAMED_VOLUNTEERS = [
    ("leader.chen", "陈志强 Chen Zhiqiang", "Huayuan Community Patrol"),
    ("leader.zhao", "赵海燕 Zhao Haiyan", "Rider Safety Team"),
    ("leader.ma", "马骁 Ma Xiao", "Huayuan Road Patrol Brigade"),
    ("grid.liu", "刘芳 Liu Fang", None),
]
VOLUNTEER_NAMES = [
    "黄秀英 Huang Xiuying",
    "周建华 Zhou Jianhua",
    "吴桂兰 Wu Guilan",
    "徐磊 Xu Lei",
    "孙浩 Sun Hao",
    "胡敏 Hu Min",
    "朱军 Zhu Jun",
    "高洁 Gao Jie",
    "林峰 Lin Feng",
    "何静 He Jing",
    "郭勇 Guo Yong",
    "罗刚 Luo Gang",
    "梁婷 Liang Ting",
    "宋平 Song Ping",
    "郑凯 Zheng Kai",
    "谢秀兰 Xie Xiulan",
    "韩冬 Han Dong",
    "唐宇 Tang Yu",
    "冯春梅 Feng Chunmei",
    "于洋 Yu Yang",
    "董鹏 Dong Peng",
    "萧红 Xiao Hong",
    "程亮 Cheng Liang",
    "曹淑珍 Cao Shuzhen",
]

DEMO_LOGINS = [
    ("chief", "station chief, Huayuan Road"),
    ("officer.li", "community police officer, Huayuan Road"),
    ("leader.chen", "team leader and volunteer, Huayuan Road"),
    ("vol.01", "volunteer, Huayuan Road (points, rewards)"),
    ("officer.sun", "officer in two stations (station switcher)"),
    ("bureau", "bureau viewer, Jinshui District"),
    ("admin", "platform operator (administration)"),
]


def polygon(points):
    return Polygon(points, srid=4326)


def voronoi_parts(area: Polygon, seeds: list[tuple[float, float]]) -> list[Polygon]:
    """Split ``area`` into one part per seed point (PostGIS Voronoi, clipped), in seed order."""
    points = "MULTIPOINT(" + ",".join(f"({x} {y})" for x, y in seeds) + ")"
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH cells AS (
              SELECT (ST_Dump(ST_VoronoiPolygons(
                ST_GeomFromText(%s, 4326), 0, ST_GeomFromText(%s, 4326)
              ))).geom AS g
            )
            SELECT s.i, ST_AsText(ST_Intersection(c.g, ST_GeomFromText(%s, 4326)))
            FROM cells c
            JOIN LATERAL (
              SELECT ord AS i FROM unnest(%s::text[]) WITH ORDINALITY AS p(wkt, ord)
              WHERE ST_Contains(c.g, ST_GeomFromText(p.wkt, 4326))
            ) s ON true
            ORDER BY s.i
            """,
            [points, area.wkt, area.wkt, [f"POINT({x} {y})" for x, y in seeds]],
        )
        parts = []
        for _i, wkt in cursor.fetchall():
            geom = GEOSGeometry(wkt, srid=4326)
            if geom.geom_type == "MultiPolygon":  # keep the largest piece of a clipped cell
                geom = max(geom, key=lambda g: g.area)
            parts.append(
                Polygon(*[[(round(x, 6), round(y, 6)) for x, y in ring] for ring in geom], srid=4326)
            )
        return parts


def seeds_inside(area: Polygon, count: int, rng: random.Random) -> list[tuple[float, float]]:
    xmin, ymin, xmax, ymax = area.extent
    inner = area.buffer(-0.0006)
    points: list[tuple[float, float]] = []
    while len(points) < count:
        x, y = round(rng.uniform(xmin, xmax), 6), round(rng.uniform(ymin, ymax), 6)
        if inner.contains(GEOSGeometry(f"POINT({x} {y})", srid=4326)):
            points.append((x, y))
    return points


class Command(BaseCommand):
    help = "Load (or refresh) the demo bureau, stations, communities, grid cells and people."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-outside-development",
            action="store_true",
            help="load the demo (accounts with the published demo password) where DEMO_DATA_ALLOWED is off",
        )
        for seeder in demo_seeders:
            for option in seeder.options:
                parser.add_argument(f"--{option.name}", type=int, default=option.default, help=option.help)

    def handle(self, *args, **options):
        if not (settings.DEMO_DATA_ALLOWED or options["allow_outside_development"]):
            raise CommandError(
                "seed_demo creates accounts with the published demo password and is meant for a "
                "developer's machine (DEMO_DATA_ALLOWED is off here). Pass --allow-outside-development "
                "if you really mean it."
            )
        # the demo's residents and volunteers are fictional: nothing is e-mailed or texted to them
        with outbox.muted(), transaction.atomic():
            self.load(options)
        self.report()

    def load(self, options):
        with scopes_disabled():
            admin = self.ensure_user("admin", "平台运维 Platform Operator", staff=True)
        bureau = self.ensure_tenant(None, BUREAU, kind=Tenant.Kind.BUREAU, boundary=None)
        for spec in STATIONS:
            outline = polygon(spec["outline"])
            station = self.ensure_tenant(
                bureau, spec, kind=Tenant.Kind.STATION, boundary=MultiPolygon(outline)
            )
            with scope(tenant=station):
                self.ensure_communities(station, outline, spec["communities"], admin)
        tenants = {t.slug: t for t in Tenant.objects.all()}
        staff = {}
        for username, full_name, roles_by_station in PEOPLE:
            with scopes_disabled():
                user = staff[username] = self.ensure_user(username, full_name)
            for slug, roles in roles_by_station.items():
                with scope(tenant=tenants[slug]):
                    services.membership_add_roles(
                        tenant=tenants[slug], user=user, roles=list(roles), actor=admin
                    )
        with scopes_disabled():
            named = [self.ensure_user(u, n) for u, n, _team in NAMED_VOLUNTEERS] + [
                self.ensure_user(f"vol.{i + 1:02d}", name) for i, name in enumerate(VOLUNTEER_NAMES)
            ]
        for slug, chief, officer, main in (
            ("huayuan-road", staff["chief"], staff["officer.li"], True),
            ("dongfeng-road", staff["chief.dongfeng"], staff["officer.dongfeng"], False),
        ):
            ctx = DemoStation(
                station=tenants[slug],
                chief=chief,
                officer=officer,
                main=main,
                options=options,
                named_volunteers=(
                    [(user, team) for user, (_u, _n, team) in zip(named, NAMED_VOLUNTEERS, strict=False)]
                    + [(user, None) for user in named[len(NAMED_VOLUNTEERS) :]]
                    if main
                    else []
                ),
            )
            # the seeders backdate rows (a year of reports, patrols, points) through the services:
            # the rollups are counted once from the rows when they are done, not bumped per write
            with scope(tenant=tenants[slug]), rollups.deferred(tenants[slug]):
                for seeder in demo_seeders:
                    seeder.seed(ctx)
            # and the states kept per day (training compliance of today and yesterday)
            for kept in kept_counts:
                kept.rebuild(tenants[slug])
            # an archive of the last weeks' summaries, as beat would have built them (not e-mailed:
            # the outbox is muted)
            last = summaries.due_week(tenants[slug], timezone.now())
            for weeks_back in range(DEMO_SUMMARY_WEEKS):
                summaries.summaries_send(
                    stations=[tenants[slug]], week_start=last - datetime.timedelta(weeks=weeks_back)
                )

    def ensure_user(self, username, full_name, staff=False):
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "full_name": full_name,
                "email": f"{username}@demo.jointdefense.localhost",
                "is_staff": staff,
                "is_superuser": staff,
            },
        )
        if created:  # an existing account keeps the password its owner may have changed
            # hashed once per run: each PBKDF2 hash takes a good fraction of a second
            if not getattr(self, "_demo_password_hash", None):
                self._demo_password_hash = make_password(settings.DEMO_PASSWORD)
            user.password = self._demo_password_hash
            user.save(update_fields=["password"])
        return user

    def ensure_tenant(self, parent, spec, *, kind, boundary):
        tenant = Tenant.objects.filter(slug=spec["slug"]).first() or Tenant(slug=spec["slug"])
        wanted = {
            "name": spec["name_en"],
            "name_en": spec["name_en"],
            "name_zh_hans": spec["name_zh_hans"],
            "kind": kind,
            "parent": parent,
            "default_language": "en",
            "time_zone": "Asia/Shanghai",
            "boundary": boundary,
            "is_active": True,
        }
        changed = (
            tenant.pk is None
            or any(getattr(tenant, field) != value for field, value in wanted.items() if field != "boundary")
            or (
                boundary is not None
                and (tenant.boundary is None or not tenant.boundary.equals_exact(boundary, 1e-9))
            )
        )
        if changed:
            for field, value in wanted.items():
                setattr(tenant, field, value)
            services.tenant_save(actor=None, tenant=tenant)
        return tenant

    def ensure_communities(self, station, outline, specs, actor):
        rng = random.Random(station.slug)
        parts = voronoi_parts(outline, [seed for *_rest, seed, _cells in specs])
        for (slug, name_en, name_zh, households, _seed, cell_count), boundary in zip(
            specs, parts, strict=True
        ):
            community = Community.objects.filter(tenant=station, slug=slug).first()
            if community is None:
                community = services.community_create(
                    tenant=station,
                    actor=actor,
                    slug=slug,
                    name_en=name_en,
                    name_zh_hans=name_zh,
                    boundary=boundary,
                    households=households,
                )
            elif not community.boundary.equals_exact(boundary, 1e-9) or community.name_en != name_en:
                community.boundary, community.name_en, community.name_zh_hans = boundary, name_en, name_zh
                community.households = households
                community.full_clean()
                community.save()
            cell_parts = voronoi_parts(boundary, seeds_inside(boundary, cell_count, rng))
            for n, cell_boundary in enumerate(cell_parts, start=1):
                code = f"{slug.upper()[:4]}-{n:02d}"
                cell = GridCell.objects.filter(tenant=station, code=code).first()
                if cell is None:
                    services.grid_cell_create(
                        community=community,
                        actor=actor,
                        code=code,
                        name_en=f"{name_en}, grid {n}",
                        name_zh_hans=f"{name_zh}第{n}网格",
                        boundary=cell_boundary,
                    )
                elif not cell.boundary.equals_exact(cell_boundary, 1e-9):
                    cell.boundary = cell_boundary
                    cell.save(update_fields=["boundary"])

    def report(self):
        with scopes_disabled():
            counts = [
                ("stations and bureaus", Tenant.objects.count()),
                ("communities", Community.objects.count()),
                ("grid cells", GridCell.objects.count()),
                ("memberships", Membership.objects.count()),
            ]
        for seeder in demo_seeders:
            if seeder.summary is not None:
                counts += seeder.summary()
        self.stdout.write(
            self.style.SUCCESS("Demo data ready: " + ", ".join(f"{n} {label}" for label, n in counts) + ".")
        )
        self.stdout.write(f"Demo logins (password: {settings.DEMO_PASSWORD}):")
        for username, what in DEMO_LOGINS:
            self.stdout.write(f"  {username:<18} {what}")
