"""The library's upload and focal-point forms (the admin's and the API's checks)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Image
from .uploads import upload_clean


class UploadField(forms.FileField):
    """A file field that keeps only what figures.uploads accepts (clean copy back)."""

    def to_python(self, data):
        data = super().to_python(data)
        return upload_clean(data) if data is not None else None

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.setdefault("accept", "image/jpeg,image/png,image/webp,image/gif")
        return attrs


class ImageForm(forms.ModelForm):
    file = UploadField(
        label=_("File"),
        help_text=_(
            "JPEG, PNG, WebP or GIF. Location and camera data are removed on upload."
        ),
    )

    class Meta:
        model = Image
        fields = [
            "title",
            "file",
            "alt_text",
            "caption",
            "credit",
            "tags",
            "focal_x",
            "focal_y",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["title"].help_text = _(
            "For finding it in the library; the file name when left empty."
        )
        if self.instance.pk:  # the file stays; upload a new image to replace it
            del self.fields["file"]
        if self.instance.tags:
            self.initial["tags"] = ", ".join(self.instance.tag_list)

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None and not cleaned.get("title"):
            stem = upload.name.rsplit(".", 1)[0]
            cleaned["title"] = stem.replace("-", " ").replace("_", " ")
            self.instance.title = cleaned["title"]
        return cleaned


class FocalPointForm(forms.Form):
    """Where the editor clicked on the preview (`<input type=image name=focal>`
    sends focal.x and focal.y), or typed numbers (0 to 1)."""

    focal_x = forms.FloatField(min_value=0, max_value=1, required=False)
    focal_y = forms.FloatField(min_value=0, max_value=1, required=False)

    def __init__(self, data=None, *, shown_width, shown_height):
        super().__init__(data)
        self.shown = (shown_width, shown_height)

    def clean(self):
        cleaned = super().clean()
        clicked = self.data.get("focal.x"), self.data.get("focal.y")
        if all(v is not None for v in clicked):
            try:
                x, y = (int(v) for v in clicked)
            except ValueError:
                raise forms.ValidationError(
                    _("The click position was not understood."), code="click"
                ) from None
            width, height = self.shown
            cleaned["focal_x"] = round(min(max(x / width, 0), 1), 3)
            cleaned["focal_y"] = round(min(max(y / height, 0), 1), 3)
        elif cleaned.get("focal_x") is None or cleaned.get("focal_y") is None:
            raise forms.ValidationError(
                _("Click on the image, or give both numbers between 0 and 1."),
                code="missing",
            )
        return cleaned
