"""Shapes of the content API. Output serializers read; input serializers feed services."""

import functools

from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.api.sources import ClaimSourcesField
from articles.models import (
    ANNOTATION_KINDS,
    FAQ,
    QUOTE_LENGTH,
    Article,
    Author,
    Correction,
    KeyFact,
    QuickAnswer,
    Topic,
    WorkingCopy,
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
        fields = ["id", "name", "slug", "url"]


class TopicRefSerializer(serializers.ModelSerializer):
    url = AbsoluteURLField()

    class Meta:
        model = Topic
        fields = ["id", "name", "slug", "url"]


class KeyFactSerializer(serializers.ModelSerializer):
    sources = ClaimSourcesField()
    fact_id = serializers.UUIDField(
        source="uid",
        read_only=True,
        help_text="The same in every explainer showing this fact (shared facts).",
    )

    class Meta:
        model = KeyFact
        fields = ["id", "fact_id", "label", "text", "anchor", "sources"]


class QuickAnswerSerializer(serializers.ModelSerializer):
    sources = ClaimSourcesField()

    class Meta:
        model = QuickAnswer
        fields = ["id", "question", "answer", "anchor", "sources"]


class FAQSerializer(serializers.ModelSerializer):
    answer_html = serializers.CharField(read_only=True)
    sources = ClaimSourcesField()

    class Meta:
        model = FAQ
        fields = ["id", "question", "answer", "answer_html", "anchor", "sources"]


class CorrectionSerializer(serializers.ModelSerializer):
    anchor = serializers.CharField(
        read_only=True, help_text="Its place on the page (#anchor); stable."
    )

    class Meta:
        model = Correction
        fields = ["id", "kind", "note", "created_at", "anchor"]


class HeroImageSerializer(serializers.Serializer):
    url = serializers.URLField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    alt = serializers.CharField()
    credit = serializers.CharField()


class SeoSerializer(serializers.Serializer):
    title = serializers.CharField(source="seo_title")
    description = serializers.CharField(source="seo_description")


class SourceSerializer(serializers.Serializer):
    url = serializers.CharField(source="source_url", help_text="May be empty.")
    title = serializers.CharField(source="source_title", help_text="May be empty.")
    publisher = serializers.CharField(
        source="source_publisher", help_text="May be empty."
    )


class SelectedFieldsMixin:
    """Serialize only the fields named in the context's `fields` (all when None)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        wanted = self.context.get("fields")
        if wanted:
            for name in set(self.fields) - set(wanted):
                self.fields.pop(name)


class ArticleSerializer(SelectedFieldsMixin, serializers.ModelSerializer):
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
    hero_image = serializers.SerializerMethodField(
        help_text="The picture at the top, or null."
    )
    seo = SeoSerializer(
        source="*", help_text="Overrides for search engines and sharing."
    )

    @extend_schema_field(HeroImageSerializer(allow_null=True))
    def get_hero_image(self, article):
        if not article.hero_image:
            return None
        url = article.hero_image.url
        request = self.context.get("request")
        return {
            "url": request.build_absolute_uri(url) if request else url,
            "width": article.hero_width,
            "height": article.hero_height,
            "alt": article.hero_alt,
            "credit": article.hero_credit,
        }

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
            "comments_mode",
            "comment_count",
            "hero_image",
            "seo",
            "created_at",
        ]
        read_only_fields = fields


class TopicSerializer(serializers.ModelSerializer):
    url = AbsoluteURLField()
    article_count = serializers.IntegerField(
        read_only=True, help_text="Published explainers in this topic."
    )

    class Meta:
        model = Topic
        fields = [
            "id",
            "name",
            "slug",
            "url",
            "description",
            "article_count",
            "updated_at",
        ]
        read_only_fields = fields


class AuthorSerializer(serializers.ModelSerializer):
    url = AbsoluteURLField()
    article_count = serializers.IntegerField(
        read_only=True, help_text="Published explainers with this byline."
    )

    class Meta:
        model = Author
        fields = ["id", "name", "slug", "url", "bio", "article_count", "updated_at"]
        read_only_fields = fields


class WorkingCopyStateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=WorkingCopy.Status.choices,
        help_text="review: waiting for an editor; editing: staged, not submitted.",
    )
    updated_at = serializers.DateTimeField()
    publish_at = serializers.DateTimeField(
        allow_null=True, help_text="When it is scheduled to go live, if it is."
    )
    message = serializers.CharField(help_text="What happens next, for people.")


class StagedArticleSerializer(ArticleSerializer):
    """An explainer as its working copy has it (what readers will see once it is
    published), with where that copy stands."""

    working_copy = WorkingCopyStateSerializer(
        source="working_copy_state", read_only=True
    )

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "working_copy"]


# Input ---------------------------------------------------------------------


class StrictCharField(serializers.CharField):
    """Text that must be sent as a JSON string: 123 is not taken as "123"."""

    default_error_messages = {"not_a_string": "Send text as a JSON string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class StrictInputMixin:
    """Refuse (400) body fields the serializer does not know, naming each one."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
    }

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: ["This field is not known here."] for name in unknown}
                )
        return super().to_internal_value(data)


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


class ClaimSourceInputSerializer(StrictInputMixin, serializers.Serializer):
    url = StrictCharField(max_length=500, validators=[http_url])
    title = StrictCharField(max_length=300)
    publisher = StrictCharField(max_length=200, required=False, allow_blank=True)
    accessed = serializers.DateField(required=False, allow_null=True)
    quote = StrictCharField(max_length=QUOTE_LENGTH, required=False, allow_blank=True)


class _AnnotationInput(StrictInputMixin, serializers.ModelSerializer):
    sources = ClaimSourceInputSerializer(
        many=True,
        required=False,
        help_text="Replaces the item's sources; left out, they stay as they are.",
    )
    needs_source = serializers.BooleanField(
        required=False, help_text="Editors' flag: this claim still needs a source."
    )
    id = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Send the id of an existing item to keep it (and its anchor).",
    )
    anchor = serializers.SlugField(
        max_length=80,
        required=False,
        allow_blank=True,
        help_text="The id readers link to; made from the text when left out.",
    )


class KeyFactInputSerializer(_AnnotationInput):
    fact_id = serializers.UUIDField(
        source="uid",
        required=False,
        help_text=(
            "On a new item: the `fact_id` of a Key Fact another explainer has, to "
            "share it; its words and sources then stay the same everywhere."
        ),
    )

    class Meta:
        model = KeyFact
        fields = ["id", "fact_id", "label", "text", "anchor", "needs_source", "sources"]


class QuickAnswerInputSerializer(_AnnotationInput):
    class Meta:
        model = QuickAnswer
        fields = ["id", "question", "answer", "anchor", "needs_source", "sources"]


class FAQInputSerializer(_AnnotationInput):
    answer = StrictCharField(trim_whitespace=False)

    class Meta:
        model = FAQ
        fields = ["id", "question", "answer", "anchor", "needs_source", "sources"]


class SourceInputSerializer(StrictInputMixin, serializers.Serializer):
    url = StrictCharField(
        source="source_url",
        max_length=500,
        required=False,
        allow_blank=True,
        validators=[http_url],
        help_text="An http:// or https:// address.",
    )
    title = StrictCharField(
        source="source_title", max_length=300, required=False, allow_blank=True
    )
    publisher = StrictCharField(
        source="source_publisher", max_length=200, required=False, allow_blank=True
    )


def _text(**kwargs):
    return StrictCharField(
        required=False, allow_blank=True, trim_whitespace=False, **kwargs
    )


class SeoInputSerializer(StrictInputMixin, serializers.Serializer):
    title = StrictCharField(
        source="seo_title", max_length=70, required=False, allow_blank=True
    )
    description = StrictCharField(
        source="seo_description", max_length=200, required=False, allow_blank=True
    )


class HeroInputSerializer(StrictInputMixin, serializers.Serializer):
    """The picture's words; the picture itself is chosen in the admin."""

    alt = StrictCharField(
        source="hero_alt", max_length=300, required=False, allow_blank=True
    )
    credit = StrictCharField(
        source="hero_credit", max_length=200, required=False, allow_blank=True
    )


class CorrectionInputSerializer(StrictInputMixin, serializers.ModelSerializer):
    id = serializers.IntegerField(
        required=False, min_value=1, help_text="Send an existing correction's id."
    )

    class Meta:
        model = Correction
        fields = ["id", "kind", "note"]


class ArticleInputSerializer(StrictInputMixin, serializers.Serializer):
    """What editors send. Omitted fields keep their value; lists replace the old ones.

    Unknown fields and text sent as another JSON type are refused (400), naming them.
    Validated data is keyed by model field name (`source=`); the nested `source`,
    `seo` and `hero_image` objects land flat, as the model's `source_url` etc.
    """

    # Given to the service as lists, not set as fields.
    list_names = (
        "authors",
        "topics",
        *(kind.list_name for kind in ANNOTATION_KINDS),
        "corrections",
    )

    title = StrictCharField(max_length=200)
    slug = serializers.SlugField(max_length=200, required=False, allow_blank=True)
    dek = _text()
    body = _text(help_text="Markdown.")
    background = _text(help_text="Markdown.")
    status = serializers.ChoiceField(choices=Article.Status.choices, required=False)
    published_at = serializers.DateTimeField(
        source="publish_at", required=False, allow_null=True
    )
    comments_open = serializers.BooleanField(required=False)
    comments_mode = serializers.ChoiceField(
        choices=Article.CommentsMode.choices, required=False
    )
    seo = SeoInputSerializer(source="*", required=False)
    hero_image = HeroInputSerializer(source="*", required=False)
    corrections = CorrectionInputSerializer(
        many=True,
        required=False,
        help_text=(
            "Readers' record of changes: items with an id are reworded, new ones "
            "added; a published explainer's corrections are never removed."
        ),
    )
    source = SourceInputSerializer(source="*", required=False)
    authors = SlugListField(model=Author, noun="author", required=False)
    topics = SlugListField(model=Topic, noun="topic", required=False)
    key_facts = KeyFactInputSerializer(many=True, required=False)
    quick_answers = QuickAnswerInputSerializer(many=True, required=False)
    faqs = FAQInputSerializer(many=True, required=False)

    def validate(self, attrs):
        errors = {}
        for name in (kind.list_name for kind in ANNOTATION_KINDS):
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


@functools.cache
def article_api_names() -> dict[str, str]:
    """Model field names as the API calls them ("source_url" is "source.url"), for
    errors raised by the model; read off ArticleInputSerializer's `source=`s."""
    names = {}
    for name, field in ArticleInputSerializer().fields.items():
        if field.source == "*":
            for child_name, child in field.fields.items():
                names[child.source] = f"{name}.{child_name}"
        elif field.source != name:
            names[field.source] = name
    return names
