from villages.offline import COPY_REQUEST


def without_messages(request):
    """No messages on a page made for an offline copy (after Django's messages processor, so it wins there): a
    message shown there would stay on the saved page, and be taken from the page the user sees next."""
    return {"messages": []} if request.META.get(COPY_REQUEST) else {}
