"""The whole experiment from one config file: stages, artifacts folder, HTML report."""

from pathsynth.pipeline.config import PipelineConfig, config_reference, load_config, parse_config
from pathsynth.pipeline.report import rebuild_report
from pathsynth.pipeline.runner import demo, demo_config, run

__all__ = [
    "PipelineConfig",
    "config_reference",
    "demo",
    "demo_config",
    "load_config",
    "parse_config",
    "rebuild_report",
    "run",
]
