"""The Salesforce connector: each consent event recorded as a Salesforce record."""
