"""Public routes of the journey (`/s/{slug}/…`) and of withdrawal (`/withdraw`)."""
