"""Fixtures of the service tests: a real, throwaway RabbitMQ broker for the session."""

from __future__ import annotations

from tests.service.rabbitmq_broker import rabbitmq_broker, rabbitmq_url

__all__ = ["rabbitmq_broker", "rabbitmq_url"]
