"""Claims' sources in the API: on every Key Fact, Quick Answer and FAQ entry."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.citations import sources_of


class ClaimSourceSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="An http:// or https:// address.")
    title = serializers.CharField()
    publisher = serializers.CharField(help_text="May be empty.")
    accessed = serializers.DateField(
        allow_null=True, help_text="When it was last checked; null if not given."
    )
    quote = serializers.CharField(
        help_text="The passage that backs the claim; may be empty."
    )


@extend_schema_field(ClaimSourceSerializer(many=True))
class ClaimSourcesField(serializers.Field):
    """The claim's sources, in order (loaded with the claim: no query of its own)."""

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True)
        kwargs.setdefault("help_text", "Where the claim comes from, in order.")
        super().__init__(**kwargs)

    def to_representation(self, claim):
        return [
            {
                "url": source.url,
                "title": source.title,
                "publisher": source.publisher,
                "accessed": source.accessed.isoformat() if source.accessed else None,
                "quote": source.quote,
            }
            for source in sources_of(claim)
        ]
