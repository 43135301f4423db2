"""Translation between core objects and arrays: transforms, bridges, Models, GenerationStrategy.

Built by a later issue. Imports ax.core and ax.models.
"""
