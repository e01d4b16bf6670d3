"""Tests of the app's tabs (``moviattn.ui.tabs``): one ``test_<tab>.py`` per tab."""
