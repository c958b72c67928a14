# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends gdal-bin libgdal32 libgeos-c1v5 libproj25 gettext postgresql-client \
    libpango-1.0-0 libpangoft2-1.0-0 fonts-wqy-zenhei \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY jointdefense ./jointdefense
COPY teams ./teams
COPY patrols ./patrols
COPY incidents ./incidents
COPY training ./training
RUN pip install --no-cache-dir .
COPY . .
RUN DJANGO_SETTINGS_MODULE=jointdefense.settings.base python manage.py compilemessages --ignore='.venv/*' -v 0 \
 && DJANGO_SETTINGS_MODULE=jointdefense.settings.production DJANGO_SECRET_KEY=build DJANGO_ALLOWED_HOSTS=* \
    python manage.py collectstatic --no-input -v 0

RUN useradd --create-home portal && mkdir -p /app/media && chown portal /app/media
USER portal
EXPOSE 8000
CMD ["gunicorn", "jointdefense.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
