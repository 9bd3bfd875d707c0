"""The editorial roles, defined once: data migrations and tests both build them here."""

ROLES = {
    # group name: [(app label, model names, permission prefixes or None for all)]
    "Editor": [
        (
            "articles",
            [
                "article",
                "keyfact",
                "quickanswer",
                "faq",
                "correction",
                "topic",
                "author",
            ],
            None,
        ),
        ("comments", ["comment", "flag", "bannedword", "commentban"], None),
        (
            "integrations",
            ["webhookendpoint", "webhookdelivery", "integrationkey"],
            None,
        ),
    ],
    "Writer": [
        (
            "articles",
            [
                "article",
                "keyfact",
                "quickanswer",
                "faq",
                "correction",
                "topic",
                "author",
            ],
            ("add_", "change_", "view_"),
        ),
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
