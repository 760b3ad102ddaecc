"""A deactivated account loses its private calendar feed: the token is deleted, so
reactivating the account does not bring a link back that may have circulated meanwhile (the
feed already answered 404 while the account was inactive)."""

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import CalendarFeed


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="revoke-feed-on-deactivation")
def revoke_feed_of_deactivated_account(sender, instance, **kwargs):
    if not instance.is_active:
        CalendarFeed.objects.filter(user=instance).delete()
