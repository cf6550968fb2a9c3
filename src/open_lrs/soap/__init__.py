"""The LRS SOAP web services (LearnerService.wsdl and LearnerServiceR9.wsdl), served over the
same services as the JSON API: ``routes`` (endpoints), ``dispatch`` (one request, start to
finish), ``schema`` (the WSDLs' messages), ``envelope`` and ``faults`` (SOAP 1.1), ``auth``
(credentials), ``wsdl`` (serving the descriptions), and per service its adapters
(``learner_service``, ``learner_batches``; ``r9_service``) and their translations of names and
shapes (``learner_fields``; ``r9_fields``). See docs/mis-integration.md.
"""
