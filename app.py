"""moviattn on Hugging Face Spaces (and locally: ``python app.py [--data DIR] [--model NAME] [--port N]``)."""

from moviattn.ui import main

if __name__ == "__main__":
    main()
