"""The corrections loop: public submissions, staff moderation, accepted changes overlaid on the seed file."""
