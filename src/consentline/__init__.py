"""ConsentLine: an opt-in policy gateway for business texting."""
