# The TeSLA server under gunicorn. Used by docker-compose.yml; see the README.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DEBUG=false
WORKDIR /app

COPY pyproject.toml README.md LICENSE ./
COPY tesla ./tesla
COPY institution ./institution
COPY vle ./vle
COPY reports ./reports
COPY benchmarks ./benchmarks
COPY manage.py ./
RUN pip install --no-cache-dir . && python manage.py collectstatic --no-input

EXPOSE 8000
# Migrate, finish any report build a crash interrupted, then serve. Request line and header
# limits bound what a worker reads; bodies are capped by nginx and by the app.
CMD ["sh", "-c", "python manage.py migrate --no-input && python manage.py process_report_work && exec gunicorn tesla.wsgi --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3} --timeout 60 --limit-request-line 8190 --limit-request-fields 100 --limit-request-field_size 16380 --access-logfile -"]
