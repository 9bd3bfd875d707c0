"""The editorial roles, defined once: data migrations and tests both build them here."""

# Everything an explainer is made of, which both roles write.
STORY_MODELS = [
    "article",
    "keyfact",
    "quickanswer",
    "faq",
    "correction",
    "topic",
    "author",
]

ROLES = {
    # group name: [(app label, model names, permission prefixes or None for all)]
    "Editor": [
        (
            "articles",
            STORY_MODELS,
            None,
        ),
        ("comments", ["comment", "flag", "bannedword", "commentban"], None),
        (
            "integrations",
            ["webhookendpoint", "webhookdelivery", "integrationkey"],
            None,
        ),
        ("figures", ["image", "chart"], None),
    ],
    "Writer": [
        (
            "articles",
            STORY_MODELS,
            ("add_", "change_", "view_"),
        ),
        ("figures", ["image", "chart"], ("add_", "change_", "view_")),
    ],
}


def ensure_roles(group_model, permission_model):
    """Create the role groups and grant what each role names, among existing permissions.

    Takes the models as arguments so migrations can pass their historical ones.
    """
    for name, grants in ROLES.items():
        group, _ = group_model.objects.get_or_create(name=name)
        for app_label, models, prefixes in grants:
            perms = permission_model.objects.filter(
                content_type__app_label=app_label, content_type__model__in=models
            )
            if prefixes:
                perms = [p for p in perms if p.codename.startswith(prefixes)]
            group.permissions.add(*perms)
