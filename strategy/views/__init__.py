"""The strategy app's pages, one module per concept: discussions, enquiries (section 47
enquiries and initial conferences), partners (the invited partner agencies' pages)."""
