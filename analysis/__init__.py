"""Stock-reaction event studies: news text -> events -> day 0 -> prices -> AR/CAR -> tests -> figures."""
__version__ = "0.1.0"
