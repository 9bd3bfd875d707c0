"""/api/v1/images/: the image library; upload (multipart) with a write key.

Anyone may read an image a published explainer shows (in its body, background or
as its hero); staff who may change images, write keys and read-drafts keys see the
whole library. An upload is checked exactly as in the admin (figures/uploads.py):
type by content, byte and pixel limits, no SVG; metadata (EXIF, GPS) is removed.
"""

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from articles.api.http import CacheHeadersMixin, StrictQueryMixin, sees_unpublished
from articles.api.pagination import Pagination
from articles.api.serializers import StrictCharField, StrictInputMixin
from articles.models import Article
from integrations.models import IntegrationKey

from . import api_image_examples, services
from .models import Image

api_image_examples.register()

IMAGE_REFERENCE = re.compile(r"\]\(\s*image:(\d{1,12})")


def public_image_ids() -> set[int]:
    """Ids of the images some published explainer shows (two queries)."""
    ids, heroes = set(), set()
    rows = Article.objects.published().values_list("body", "background", "hero_image")
    for body, background, hero in rows.filter(
        Q(body__contains="](image:")
        | Q(background__contains="](image:")
        | ~Q(hero_image="")
    ):
        for text in (body, background):
            ids.update(int(pk) for pk in IMAGE_REFERENCE.findall(text or ""))
        if hero:
            heroes.add(hero)
    if heroes:
        ids.update(Image.objects.filter(file__in=heroes).values_list("pk", flat=True))
    return ids


class ImageSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    file = serializers.SerializerMethodField()
    tags = serializers.ListField(source="tag_list", child=serializers.CharField())
    focal_point = serializers.SerializerMethodField()
    reference = serializers.CharField(read_only=True)

    class Meta:
        model = Image
        fields = [
            "id",
            "url",
            "title",
            "alt_text",
            "caption",
            "credit",
            "tags",
            "focal_point",
            "width",
            "height",
            "file",
            "reference",
            "uploaded_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_url(self, image) -> str:
        request = self.context.get("request")
        path = reverse("api:image-detail", kwargs={"pk": image.pk})
        return request.build_absolute_uri(path) if request else path

    def get_file(self, image) -> str:
        """The stored original (already stripped of metadata on upload)."""
        request = self.context.get("request")
        url = image.file.url
        return request.build_absolute_uri(url) if request else url

    def get_focal_point(self, image) -> dict:
        return {"x": image.focal_x, "y": image.focal_y}


class ImageInputSerializer(StrictInputMixin, serializers.Serializer):
    file = serializers.FileField(required=True, allow_empty_file=True)
    title = StrictCharField(max_length=200, required=False, allow_blank=True)
    alt_text = StrictCharField(max_length=300, required=False, allow_blank=True)
    caption = StrictCharField(max_length=500, required=False, allow_blank=True)
    credit = StrictCharField(max_length=200, required=False, allow_blank=True)
    tags = StrictCharField(max_length=500, required=False, allow_blank=True)
    focal_x = serializers.FloatField(min_value=0, max_value=1, required=False)
    focal_y = serializers.FloatField(min_value=0, max_value=1, required=False)


class ImageChangeSerializer(ImageInputSerializer):
    file = None  # the file stays: upload a new image to replace it


@extend_schema_view(
    list=extend_schema(
        summary="List library images",
        parameters=[
            OpenApiParameter(
                "q", str, description="Words in title, alt, caption, credit"
            ),
            OpenApiParameter("tag", str, description="Only images with this tag"),
        ],
    ),
    retrieve=extend_schema(summary="One library image"),
    create=extend_schema(
        summary="Upload an image (multipart/form-data)",
        request={"multipart/form-data": ImageInputSerializer},
        responses={201: ImageSerializer},
    ),
    partial_update=extend_schema(
        summary="Change an image's details or focal point",
        request=ImageChangeSerializer,
        responses={200: ImageSerializer},
    ),
)
class ImageViewSet(
    StrictQueryMixin,
    CacheHeadersMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Library images. Reads are public for images published explainers show."""

    queryset = Image.objects.all()
    serializer_class = ImageSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    pagination_class = Pagination
    http_method_names = ["get", "post", "patch", "head", "options"]
    query_names = ("q", "tag")

    def get_queryset(self):
        images = Image.objects.order_by("-uploaded_at", "-id")
        params = self.request.query_params
        images = images.search(params.get("q", "")[:100]).tagged(
            params.get("tag", "")[:50]
        )
        if self._sees_all():
            return images
        return images.filter(pk__in=public_image_ids())

    def _sees_all(self):
        request = self.request
        if request.user.has_perm("figures.change_image"):
            return True
        key = request.auth
        if isinstance(key, IntegrationKey) and key.scope == key.Scope.WRITE:
            return True
        return sees_unpublished(request)

    def create(self, request):
        serializer = ImageInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        try:
            image = services.image_create(user=request.user, **fields)
        except DjangoValidationError as error:
            raise serializers.ValidationError(_as_api(error, "file")) from None
        output = ImageSerializer(image, context=self.get_serializer_context()).data
        return Response(
            output, status=status.HTTP_201_CREATED, headers={"Location": output["url"]}
        )

    def partial_update(self, request, pk=None):
        image = self.get_object()
        serializer = ImageChangeSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            services.image_update(
                image=image, user=request.user, **serializer.validated_data
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(
                _as_api(error, "non_field_errors")
            ) from None
        return Response(
            ImageSerializer(image, context=self.get_serializer_context()).data
        )


def _as_api(error: DjangoValidationError, field: str) -> dict:
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {field: error.messages}
