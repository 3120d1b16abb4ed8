"""Disputes on milestones: opening, the evidence timeline, mediation, decisions and appeals."""
