"""Each role's work lists (issue 21): the selectors the home page and the morning digest
(issue 24) share. Above the case apps, below the top apps that show or send them."""
