"""Teaching material on top of the kit: seeded exercises and the OPC-vs-QuickOPC comparison."""
