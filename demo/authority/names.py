"""Fixed lists the generated authority draws from: invented people, never real data.

First names are common given names; surnames are put together from the parts below, so no
list of real people's names is used. The texts are generic and name nobody.
"""

from __future__ import annotations

GIRLS = (
    "Amber", "Bella", "Carys", "Daisy", "Elsie", "Freya", "Grace", "Hattie", "Isla", "Jasmine",
    "Kayla", "Lily", "Maisie", "Nia", "Olive", "Poppy", "Quinn", "Rosie", "Sienna", "Tilly",
    "Una", "Violet", "Willow", "Zara", "Aisha", "Bethan", "Chloe", "Darcy", "Ellie", "Fern",
)  # fmt: skip
BOYS = (
    "Alfie", "Ben", "Callum", "Dylan", "Ethan", "Finn", "George", "Harry", "Isaac", "Jack",
    "Kai", "Leo", "Mason", "Noah", "Oscar", "Reuben", "Sam", "Theo", "Tyler", "Will",
    "Arlo", "Bobby", "Caleb", "Danny", "Elliot", "Felix", "Hugo", "Jamie", "Logan", "Ryan",
)  # fmt: skip
ADULTS = (
    "Alison", "Becky", "Claire", "Dawn", "Emma", "Gemma", "Hayley", "Jodie", "Kerry", "Leanne",
    "Michelle", "Nicola", "Sarah", "Stacey", "Tracey", "Vicky", "Zoe", "Natalie", "Kirsty",
)  # fmt: skip

# Surnames: a first part and an ending, e.g. "Sedgecombe" (invented, none from a real list).
SURNAME_STARTS = (
    "Alder", "Brack", "Carn", "Dunn", "Elm", "Fern", "Gorse", "Heath", "Kest", "Lark",
    "Marr", "Nettle", "Oak", "Pell", "Quarr", "Rook", "Sedge", "Thorn", "Wren", "Yarr",
)  # fmt: skip
SURNAME_ENDS = (
    "by", "combe", "den", "field", "ford", "gate", "holt", "ley", "low", "mere",
    "ridge", "stow", "well", "wick", "worth",
)  # fmt: skip
SURNAMES = tuple(start + end for start in SURNAME_STARTS for end in SURNAME_ENDS)

STREETS = (
    "Harbour Row", "Chapel Street", "Mill Lane", "Quay Road", "Station Hill", "Church Close",
    "Orchard Way", "Fore Street", "Castle View", "Market Place",
)  # fmt: skip

# What a contact reports, by kind of concern (generic, fictional).
CONCERNS = {
    "neglect": (
        "The children often arrive hungry and in the same clothes for days.",
        "The home is cold and there is little food; the children look unkempt.",
        "Missed health appointments and poor school attendance this term.",
    ),
    "physical": (
        "Bruising seen on the child's arm; the explanation given does not fit.",
        "The child said a parent hit them with a belt last night.",
        "An injury to a young child that the parents cannot explain.",
    ),
    "sexual": (
        "The child told a friend's parent that an adult touched them.",
        "Concerning messages from an adult found on the child's phone.",
    ),
    "emotional": (
        "The child is withdrawn and says they are shouted at every day at home.",
        "Repeated domestic abuse at the address; the children witness it.",
    ),
    "family": (
        "The parent is struggling with their mental health and asks for help.",
        "The family is about to lose their tenancy and the parent is not coping.",
        "The young person is going missing overnight and the parent cannot manage it.",
        "A parent's drinking has increased and the children are left unsupervised.",
    ),
}
CATEGORY_OF_CONCERN = {"neglect": "NEG", "physical": "PHY", "sexual": "SAB", "emotional": "EMO"}

RATIONALES = (
    "The information gathered and the history support this outcome.",
    "Checks with partners and the child's history were read before deciding.",
    "The parent engages and the risk is reduced; this outcome is proportionate.",
)  # fmt: skip
VOICES = (
    "Says they feel safe with their grandmother and want to stay at their school.",
    "Too young to say; seen at home, relaxed with the parent.",
    "Says home is noisy and they worry about mum; likes football club.",
)  # fmt: skip
