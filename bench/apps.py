from django.apps import AppConfig


class BenchConfig(AppConfig):
    """`make bench`'s commands, kept out of the apps they measure: nothing here runs in production."""

    name = "bench"
    verbose_name = "Benchmarks"
