"""The fictional Holmsey authority, its partners, users and families (`manage.py load_demo`).

A top app: nothing in the product imports it. One module per concept: `people` (agencies and
users), `front_door` (levels of need, contacts, information requests, partner referrals) and
`strategy` (the journey after the front door).
"""
