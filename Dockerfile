# One image for web, worker and beat (docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# WeasyPrint needs Pango; gettext compiles the Indonesian catalogue.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml constraints.txt ./
RUN pip install -c constraints.txt . && useradd --create-home kinerja
COPY . .
RUN SECRET_KEY=build python manage.py collectstatic --no-input \
    && mkdir -p var/media var/private && chown -R kinerja var
USER kinerja
EXPOSE 8000
CMD ["gunicorn", "kapuas_kinerja.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
