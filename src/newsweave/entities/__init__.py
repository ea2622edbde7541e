"""Entities: mentions resolved across the store (name keys, acronyms, demonyms, type by
vote) and the roles the articles give them, each with its evidence."""

from ._resolve import ResolveStage, entity_at, entity_dict, entity_id_at, find, get, load_entities, name_forms, survivors

__all__ = ["ResolveStage", "entity_at", "entity_dict", "entity_id_at", "find", "get", "load_entities", "name_forms", "survivors"]
