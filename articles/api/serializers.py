"""Shapes of the content API. Output serializers read; input serializers feed services."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.models import (
    FAQ,
    Article,
    Author,
    Correction,
    KeyFact,
    QuickAnswer,
    Topic,
    http_url,
)


@extend_schema_field(OpenApiTypes.URI)
class AbsoluteURLField(serializers.Field):
    """The object's page address, absolute for the requesting host."""

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        url = value.get_absolute_url()
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class AuthorRefSerializer(serializers.ModelSerializer):
    url = AbsoluteURLField()

    class Meta:
        model = Author
        fields = ["name", "slug", "url"]


class TopicRefSerializer(serializers.ModelSerializer):
    url = AbsoluteURLField()

    class Meta:
        model = Topic
        fields = ["name", "slug", "url"]


class KeyFactSerializer(serializers.ModelSerializer):
    class Meta:
        model = KeyFact
        fields = ["id", "label", "text", "anchor"]


class QuickAnswerSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuickAnswer
        fields = ["id", "question", "answer", "anchor"]


class FAQSerializer(serializers.ModelSerializer):
    answer_html = serializers.CharField(read_only=True)

    class Meta:
        model = FAQ
        fields = ["id", "question", "answer", "answer_html", "anchor"]


class CorrectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Correction
        fields = ["kind", "note", "created_at"]


class SourceSerializer(serializers.Serializer):
    url = serializers.CharField(source="source_url", help_text="May be empty.")
    title = serializers.CharField(source="source_title", help_text="May be empty.")
    publisher = serializers.CharField(
        source="source_publisher", help_text="May be empty."
    )


class ArticleSerializer(serializers.ModelSerializer):
    url = AbsoluteURLField()
    published_at = serializers.DateTimeField(
        source="publish_at",
        allow_null=True,
        help_text="When readers could first see it; null for unscheduled drafts.",
    )
    authors = AuthorRefSerializer(many=True)
    topics = TopicRefSerializer(many=True)
    body_html = serializers.CharField(read_only=True)
    background_html = serializers.CharField(read_only=True)
    key_facts = KeyFactSerializer(many=True)
    quick_answers = QuickAnswerSerializer(many=True)
    faqs = FAQSerializer(many=True)
    source = SourceSerializer(source="*")
    corrections = CorrectionSerializer(many=True)
    comments_open = serializers.BooleanField()
    comment_count = serializers.IntegerField(
        help_text="Published comments on the explainer."
    )

    class Meta:
        model = Article
        fields = [
            "id",
            "slug",
            "url",
            "title",
            "dek",
            "status",
            "published_at",
            "updated_at",
            "authors",
            "topics",
            "body",
            "body_html",
            "background",
            "background_html",
            "key_facts",
            "quick_answers",
            "faqs",
            "source",
            "corrections",
            "comments_open",
            "comment_count",
        ]
        read_only_fields = fields


class TopicSerializer(serializers.ModelSerializer):
    url = AbsoluteURLField()
    article_count = serializers.IntegerField(
        read_only=True, help_text="Published explainers in this topic."
    )

    class Meta:
        model = Topic
        fields = ["name", "slug", "url", "description", "article_count"]
        read_only_fields = fields


class AuthorSerializer(serializers.ModelSerializer):
    url = AbsoluteURLField()
    article_count = serializers.IntegerField(
        read_only=True, help_text="Published explainers with this byline."
    )

    class Meta:
        model = Author
        fields = ["name", "slug", "url", "bio", "article_count"]
        read_only_fields = fields


# Input ---------------------------------------------------------------------


class SlugListField(serializers.ListField):
    """A list of slugs of existing rows, returned as the rows in the given order."""

    child = serializers.SlugField()

    def __init__(self, *, model, noun, **kwargs):
        self.model, self.noun = model, noun
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        slugs = list(dict.fromkeys(super().to_internal_value(data)))
        rows = {row.slug: row for row in self.model.objects.filter(slug__in=slugs)}
        unknown = [slug for slug in slugs if slug not in rows]
        if unknown:
            names = ", ".join(f"“{slug}”" for slug in unknown)
            raise serializers.ValidationError(f"No {self.noun} with the slug {names}.")
        return [rows[slug] for slug in slugs]


class _AnnotationInput(serializers.ModelSerializer):
    id = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Send the id of an existing item to keep it (and its anchor).",
    )


class KeyFactInputSerializer(_AnnotationInput):
    class Meta:
        model = KeyFact
        fields = ["id", "label", "text"]


class QuickAnswerInputSerializer(_AnnotationInput):
    class Meta:
        model = QuickAnswer
        fields = ["id", "question", "answer"]


class FAQInputSerializer(_AnnotationInput):
    answer = serializers.CharField(trim_whitespace=False)

    class Meta:
        model = FAQ
        fields = ["id", "question", "answer"]


class SourceInputSerializer(serializers.Serializer):
    url = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        validators=[http_url],
        help_text="An http:// or https:// address.",
    )
    title = serializers.CharField(max_length=300, required=False, allow_blank=True)
    publisher = serializers.CharField(max_length=200, required=False, allow_blank=True)


def _text(**kwargs):
    return serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, **kwargs
    )


class ArticleInputSerializer(serializers.Serializer):
    """What editors send. Omitted fields keep their value; lists replace the old ones."""

    title = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=200, required=False, allow_blank=True)
    dek = _text()
    body = _text(help_text="Markdown.")
    background = _text(help_text="Markdown.")
    status = serializers.ChoiceField(choices=Article.Status.choices, required=False)
    published_at = serializers.DateTimeField(required=False, allow_null=True)
    comments_open = serializers.BooleanField(required=False)
    source = SourceInputSerializer(required=False)
    authors = SlugListField(model=Author, noun="author", required=False)
    topics = SlugListField(model=Topic, noun="topic", required=False)
    key_facts = KeyFactInputSerializer(many=True, required=False)
    quick_answers = QuickAnswerInputSerializer(many=True, required=False)
    faqs = FAQInputSerializer(many=True, required=False)

    def validate(self, attrs):
        errors = {}
        for name in ("key_facts", "quick_answers", "faqs"):
            seen = set()
            item_errors = []
            for item in attrs.get(name, []):
                pk = item.get("id")
                item_errors.append(
                    {"id": ["This id appears twice in the list."]}
                    if pk is not None and pk in seen
                    else {}
                )
                seen.add(pk)
            if any(item_errors):
                errors[name] = item_errors
        if errors:
            raise serializers.ValidationError(errors)
        return attrs
