"""Fixtures of the integration tests: the session's real, throwaway RabbitMQ broker."""

from __future__ import annotations

from tests.service.rabbitmq_broker import rabbitmq_broker, rabbitmq_url

__all__ = ["rabbitmq_broker", "rabbitmq_url"]
